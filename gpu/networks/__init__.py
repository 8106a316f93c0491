"""The networks, each behind a role with fixed tensor shapes (roles): the spectrogram VAE, the
latent U-Net, the inverse-STFT vocoder with its body oscillator, the condition encoder, and the
layers they share. Pure torch modules: no file I/O, no sampling."""
