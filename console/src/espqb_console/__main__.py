from espqb_console.app import main

main()
