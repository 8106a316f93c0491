import json

import pytest

from gpu.bench import main

pytestmark = pytest.mark.slow


def test_bench_prints_one_json_line_with_the_targets_keys(tiny_weights, capsys):
    main(["--weights", str(tiny_weights), "--runs", "2", "--json"])
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    for key in ("median_ms_per_kick", "batch8_ms", "load_s", "peak_rss_mb"):
        assert result[key] > 0
    assert result["steps"] == 4 and result["threads"] == 1
    assert result["diffusion_ms"] > 0 and result["vocoder_ms"] > 0
