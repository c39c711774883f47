// The `keys` target (see SluiceFuzz.swift for the driver): the bytes as the files a user points the
// tool at for its secrets and recipients, read through their own readers from an anonymous in-memory
// file (named /proc/self/fd/N, as a path option names it): an age identity file (`-i`,
// IdentityFile.identities), a recipients file (`-R`, IdentityFile.recipients), a key file
// (`--key-file`, KeyFile.read). A bad file is an `.invalidArgument` naming the file (docs/cli.md, exit
// 64), never anything else; what is read must print as a line the reader accepts again, the same key.
@testable import Sluice
import SystemPackage

nonisolated(unsafe) private let file = MemoryFile()
private let path = FilePath("/proc/self/fd/\(file.fd.rawValue)")

func fuzzKeyFiles(_ data: UnsafeRawBufferPointer) {
    file.hold(data)
    // (A memfd's mode is 0777: the exposure warning is expected, and --strict would refuse it.)
    expectKeyFileError {
        let identities = try IdentityFile.identities(at: path, warn: { _ in })
        for identity in identities {
            guard try AgeIdentity(parsing: identity.encoded).recipient == identity.recipient else {
                fatalError("an identity that does not read back from its encoding")
            }
        }
    }
    expectKeyFileError {
        let recipients = try IdentityFile.recipients(at: path)
        for recipient in recipients {
            guard try AgeRecipient(parsing: recipient.description) == recipient else {
                fatalError("a recipient that does not read back from its encoding")
            }
        }
    }
    expectKeyFileError {
        guard case .keyFile(let key) = try KeyFile.read(at: path, warn: { _ in }), key == Array(data) else {
            fatalError("a key file read as other bytes than it holds")
        }
    }
}

/// A key, identity or recipients file the reader refuses: one `.invalidArgument` naming the file.
private func expectKeyFileError(_ read: () throws -> Void) {
    do {
        try read()
    } catch let error as SluiceError {
        guard error.code == .invalidArgument, error.message.contains(path.string) else {
            fatalError("unexpected \(error.code) for a bad key file: \(error)")
        }
    } catch {
        fatalError("not a SluiceError: \(error)")
    }
}
