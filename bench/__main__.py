from tieout.bench.run import main

raise SystemExit(main())
