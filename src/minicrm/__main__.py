from minicrm.cli.entry import main

main()
