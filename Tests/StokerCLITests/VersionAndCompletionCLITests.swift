import Foundation
import XCTest

/// `stoker --version` and the shell completion scripts README tells operators to install.
final class VersionAndCompletionCLITests: XCTestCase {
    func testVersionPrintsTheReleaseAlone() throws {
        let box = try Sandbox()
        let result = try CLI.stoker(["--version"], in: box.url)
        XCTAssertEqual(result.status, 0, "\(result)")
        let version = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNotNil(version.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression), "\(result)")
    }

    /// The bash script is valid bash and, once sourced, completes `stoker`'s subcommands.
    func testBashCompletionCompletesSubcommands() throws {
        let box = try Sandbox()
        let script = try CLI.stoker(["--generate-completion-script", "bash"], in: box.url)
        XCTAssertEqual(script.status, 0, "\(script)")
        try box.write("stoker.bash", Data(script.stdout.utf8))
        // Complete `stoker ch` as bash's programmable completion would.
        let probe = """
        source ./stoker.bash
        spec=$(complete -p stoker) || exit 3
        function=$(echo "$spec" | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
        COMP_WORDS=(stoker ch); COMP_CWORD=1; COMP_LINE='stoker ch'; COMP_POINT=${#COMP_LINE}
        "$function" stoker ch stoker
        printf '%s\\n' "${COMPREPLY[@]}"
        """
        let completed = try CLI.run("/bin/bash", ["-c", probe], in: box.url)
        XCTAssertEqual(completed.status, 0, "\(completed)")
        XCTAssertTrue(completed.stdout.split(separator: "\n").contains("check-config"), "\(completed)")
    }

    func testZshAndFishScriptsAreGenerated() throws {
        let box = try Sandbox()
        for shell in ["zsh", "fish"] {
            let script = try CLI.stoker(["--generate-completion-script", shell], in: box.url)
            XCTAssertEqual(script.status, 0, "\(shell): \(script)")
            XCTAssertTrue(script.stdout.contains("check-config"), "\(shell) script names the subcommands")
        }
    }
}
