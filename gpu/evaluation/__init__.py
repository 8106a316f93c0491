"""How good a kick generator is, as plain functions and one driver; `python -m gpu.evaluate` is
its command line. metrics: pure functions of features and audio; realism: a set of kicks
against a reference set, above all real kicks; real_folders: reading real folders and
reporting against them; retrieval: a generator that picks kicks from a corpus, the metrics'
reference point; suite: driving a generator through every measure."""
