"""Audio in and out of the model, with no model in it: the kick output format (output_format),
WAV bytes (wav), the spectrogram the networks see (spectral), the measured descriptors that
label, condition and evaluate kicks (descriptors) and a sampler-style repitch (tuning).

Depends on nothing else in gpu; every other part depends on it."""
