import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// The age test kit through the `sluice` executable (from a file and from stdin): each vector's
/// expected outcome as an exit code — 0 with the expected SHA-256 on stdout, 77 for "no match", 65 for
/// the other failures, with the failure's class in the one error line — and never a crash.
@Suite struct AgeCLITests {
    static let vectors = AgeVector.names.filter { name in (try? AgeVector.load(name))?.isPostQuantum == false }

    @Test(arguments: vectors)
    func vector(_ name: String) throws {
        let vector = try AgeVector.load(name)
        try withTemporaryDirectory { directory in
            try writeFile(directory.appending("file.age"), vector.file)
            var arguments = ["unpack", "-c", "--max-kdf-cost", "22"]
            if !vector.identities.isEmpty {
                try writeFile(directory.appending("identities.txt"), Array(vector.identities.joined(separator: "\n").utf8))
                #expect(chmod(directory.appending("identities.txt").string, 0o600) == 0)  // private, as identity files must be
                arguments += ["-i", "identities.txt"]
            }
            var environment: [String: String] = [:]
            if let passphrase = vector.passphrases.first {
                environment["AGE_VECTOR_PASSPHRASE"] = passphrase
                arguments += ["--passphrase-env", "AGE_VECTOR_PASSPHRASE"]
            }
            for fromStandardInput in [false, true] {
                let result = try SluiceProcess.run(
                    arguments + [fromStandardInput ? "-" : "file.age"], in: directory,
                    stdin: fromStandardInput ? directory.appending("file.age") : nil, environment: environment,
                    withoutTerminal: true)
                let how = "\(name) from \(fromStandardInput ? "stdin" : "a file")"
                #expect(!result.crashed, "\(how): \(result)")
                switch vector.expect {
                case .success:
                    #expect(result.status == 0, "\(how): \(result)")
                    #expect(try sha256Hex(result.stdout) == vector.payloadSHA256, "\(how)")
                case .noMatch:
                    #expect(result.status == 77 && result.stderr.contains("no identity matches"), "\(how): \(result)")
                default:
                    let wording = switch vector.expect {
                    case .headerFailure: "invalid age header"
                    case .hmacFailure: "age header MAC mismatch"
                    case .armorFailure: "invalid age armor"
                    default: "age payload"
                    }
                    #expect(result.status == 65 && result.stderrLines.count == 1 && result.stderr.contains(wording), "\(how): \(result)")
                }
            }
        }
    }
}
