from watchkeeper.cli.main import main

main()
