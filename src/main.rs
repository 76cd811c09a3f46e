fn main() {
    std::process::exit(mlarchc::cli::main())
}
