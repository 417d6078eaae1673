from hfo_detect.cli import main

main()
