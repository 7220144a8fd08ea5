import sys

from order_tui.cli import main

sys.exit(main())
