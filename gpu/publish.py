"""python -m gpu.publish --repo org/name --weights gpu/weights

Checks that the folder loads and generates, then uploads it to a Hugging Face model repo
(token from HF_TOKEN or ``huggingface-cli login``) and prints the commit hash to pin as
KICKGEN_HUB_REVISION.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from huggingface_hub import HfApi

from gpu.pipeline import KickPipeline
from gpu.weights_io.hub import is_repo_id


def check_weights(folder: Path) -> None:
    """Refuse to publish a folder the pipeline cannot load or that yields a bad kick."""
    audio = KickPipeline.from_pretrained(folder).generate("hit house", seed=0, steps=2)
    if audio.shape != (88_200,) or not abs(audio).max() <= 1.0:
        raise SystemExit(f"{folder} generated audio of shape {audio.shape}: not a kick model.")


def publish(repo: str, weights: Path, private: bool = False, message: str | None = None) -> str:
    if not is_repo_id(repo):
        raise SystemExit(f"--repo must look like 'org/name', got {repo!r}.")
    if not (weights / "config.json").is_file():
        raise SystemExit(
            f"{weights} has no config.json: export weights with python -m gpu.train.export."
        )
    check_weights(weights)
    api = HfApi()
    api.create_repo(repo, repo_type="model", private=private, exist_ok=True)
    commit = api.upload_folder(
        repo_id=repo,
        folder_path=str(weights),
        repo_type="model",
        allow_patterns=["*.json", "*.safetensors", "README.md"],
        commit_message=message or "Upload kick generation weights",
    )
    return commit.oid


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gpu.publish", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--repo", required=True, help="Hub model repo, org/name")
    parser.add_argument("--weights", type=Path, default=Path(__file__).resolve().parent / "weights")
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--message")
    args = parser.parse_args(argv)
    revision = publish(args.repo, args.weights, args.private, args.message)
    print(json.dumps({"repo": args.repo, "revision": revision}))


if __name__ == "__main__":
    main()
