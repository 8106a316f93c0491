import sys

from gpu.corpus.packaged.cli import main

sys.exit(main())
