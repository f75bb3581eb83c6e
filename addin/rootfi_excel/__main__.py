from rootfi_excel.cli.main import main

main()
