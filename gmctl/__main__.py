from gmctl.cli import main

main()
