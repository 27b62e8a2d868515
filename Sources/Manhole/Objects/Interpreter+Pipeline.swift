import ManholeLanguage

extension Interpreter {
    /// A session over the live pipeline: carbon's and Stoker's objects as built-ins and
    /// importable modules, `carbon` already imported (as in carbon's manhole).
    convenience init(context: ManholeContext) {
        let library = StandardLibrary(context: context)
        self.init(builtins: library.builtins, modules: library.modules, preloaded: ["carbon"])
    }
}
