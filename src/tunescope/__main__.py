from tunescope.cli import main

raise SystemExit(main())
