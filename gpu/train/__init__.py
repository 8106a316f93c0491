"""Training: corpus caching, the three training loops, checkpoints and logs (CLI: __main__)."""
