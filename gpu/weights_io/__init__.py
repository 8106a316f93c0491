"""Weights on disk and on the Hub: one network as .json + .safetensors (checkpoint), the
pipeline's weights folder (folder) and Hugging Face Hub downloads (hub). No pickle anywhere."""
