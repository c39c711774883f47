
/// The unpack key of a batch, asked for once: the first encrypted file calls the supplier (which may
/// prompt) while the others wait, and every later file gets the same answer, or the same error.
final class KeySupply: Sendable {
    private let supplier: (@Sendable () throws -> KeySource?)?
    private let answer = Locked<Result<KeySource?, SluiceError>?>(nil)

    init(_ supplier: (@Sendable () throws -> KeySource?)?) { self.supplier = supplier }

    /// The key, or ``SluiceError/Code/invalidArgument`` when there is none to give.
    func key() throws -> KeySource {
        let result = answer.withLock { answer -> Result<KeySource?, SluiceError> in
            if let answer { return answer }
            let made: Result<KeySource?, SluiceError> = Result {
                do { return try supplier?() } catch let error as SluiceError { throw error } catch {
                    throw SluiceError(.invalidArgument, "cannot get the key", cause: SendableError(error))
                }
            }.mapError { $0 as! SluiceError }
            answer = made
            return made
        }
        guard let key = try result.get() else {
            throw SluiceError(.invalidArgument, "this file is encrypted: give --key-file or a passphrase option")
        }
        return key
    }
}
