"""Kick generation model. The top level is the public face; the sub-packages are its parts.

Public: ``gpu.pipeline.KickPipeline`` (inference) and ``gpu.prompt`` (its request language and
PromptError); ``gpu/modal_app.py`` (the Modal worker); the commands ``python -m gpu.train``,
``gpu.evaluate``, ``gpu.bench``, ``gpu.publish`` and ``gpu.corpus.packaged``.

Parts, each depending only on those before it:
    audio       output format, WAV, spectrogram, descriptors, tuning — no model
    networks    VAE, U-Net, vocoder, condition encoder behind fixed roles
    diffusion   noise schedule, solvers, guidance, descriptor prior
    weights_io  networks and weights folders on disk and on the Hub
    corpus      synthetic and real kick corpora (audio only)
    train       training loops and the export of runs to a weights folder
    evaluation  metrics and the evaluation driver (audio and corpus only)
"""
