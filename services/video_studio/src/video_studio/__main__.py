import sys

from video_studio.cli import main

sys.exit(main())
