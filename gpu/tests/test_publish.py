"""gpu.publish checks a folder before anything leaves the machine (the upload itself needs the
Hub, which this machine cannot reach)."""

import pytest

from gpu.publish import check_weights, publish


def test_bad_repo_id_is_refused(tiny_weights):
    with pytest.raises(SystemExit, match="org/name"):
        publish("not a repo", tiny_weights)


def test_folder_without_config_is_refused(tmp_path):
    with pytest.raises(SystemExit, match=r"no config\.json"):
        publish("kwr/kick-gen", tmp_path)


def test_check_weights_accepts_a_loadable_folder(tiny_weights):
    check_weights(tiny_weights)


def test_check_weights_rejects_a_broken_folder(tiny_weights, tmp_path):
    import shutil

    broken = tmp_path / "w"
    shutil.copytree(tiny_weights, broken)
    (broken / "vocoder.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(Exception, match=r"(?i)header|safetensor|deserializ"):
        check_weights(broken)
