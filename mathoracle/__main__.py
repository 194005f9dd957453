from mathoracle.cli import main

raise SystemExit(main())
