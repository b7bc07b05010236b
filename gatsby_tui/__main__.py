from gatsby_tui.cli import main

raise SystemExit(main())
