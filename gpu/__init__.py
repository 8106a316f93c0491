"""Kick generation model: corpus, networks, samplers, pipeline, training, evaluation, serving.

Inference entry point: ``gpu.pipeline.KickPipeline``. Training: ``python -m gpu.train``.
"""
