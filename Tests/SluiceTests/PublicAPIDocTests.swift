import Foundation
import Testing

/// The library's public surface stays documented and the CLI stays on it (docs/architecture.md,
/// "The public API"): every `public` declaration in `Sources/Sluice` has a `///` doc comment of its own,
/// and `Sources/sluice` names none of the library's `package` declarations (those are for SluiceBench).
@Suite struct PublicAPIDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One declaration the scan found: where, and the line as written.
    struct Declaration: CustomStringConvertible {
        var file: String
        var line: Int
        var text: String
        var documented: Bool
        var description: String { "\(file):\(line): \(text)" }
    }

    /// The Swift files under `folder`, relative to the package root, in a stable order.
    static func sources(_ folder: String) throws -> [(String, [String])] {
        let base = root.appendingPathComponent(folder)
        let walker = FileManager.default.enumerator(atPath: base.path)
        var files: [(String, [String])] = []
        while let name = walker?.nextObject() as? String {
            guard name.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)
            files.append(("\(folder)/\(name)", text.components(separatedBy: "\n")))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// The declarations of `lines` at `access` (`public` or `package`), extensions left out (an
    /// extension is not a symbol), each marked documented when a `///` line or the end of a `/** */`
    /// block stands right above it (attributes in between allowed).
    static func declarations(in lines: [String], file: String, access: String) -> [Declaration] {
        let modifiers = "(?:(?:final|static|class|override|mutating|nonmutating|convenience|required|indirect|lazy|nonisolated|consuming|borrowing|(?:private|fileprivate|internal)\\(set\\))\\s+)*"
        let pattern = "^\\s*(?:@[\\w().:, ]+\\s+)*\(modifiers)\(access)\\s+\(modifiers)(func|var|let|init|struct|class|enum|protocol|typealias|case|subscript|actor|associatedtype|extension)\\b"
        let regex = try! NSRegularExpression(pattern: pattern)
        var found: [Declaration] = []
        for (index, line) in lines.enumerated() {
            let range = NSRange(line.startIndex..., in: line)
            guard let match = regex.firstMatch(in: line, range: range),
                  let kind = Range(match.range(at: 1), in: line).map({ String(line[$0]) }), kind != "extension"
            else { continue }
            var above = index - 1
            while above >= 0, lines[above].trimmingCharacters(in: .whitespaces).hasPrefix("@") { above -= 1 }
            let previous = above >= 0 ? lines[above].trimmingCharacters(in: .whitespaces) : ""
            found.append(Declaration(
                file: file, line: index + 1, text: line.trimmingCharacters(in: .whitespaces),
                documented: previous.hasPrefix("///") || previous.hasSuffix("*/")))
        }
        return found
    }

    @Test func everyPublicDeclarationHasADocComment() throws {
        let all = try Self.sources("Sources/Sluice").flatMap { Self.declarations(in: $0.1, file: $0.0, access: "public") }
        #expect(all.count > 20, "the scan found the public API")
        let undocumented = all.filter { !$0.documented }
        #expect(undocumented.isEmpty, "public declarations without a doc comment:\n\(undocumented.map(\.description).joined(separator: "\n"))")
    }

    /// The scan itself: an undocumented declaration is found, a documented one (attributes between) is not.
    @Test func theScanSeesAMissingDocComment() {
        let lines = [
            "/// Documented.", "@discardableResult", "public static func a() -> Int { 1 }",
            "public var b: Int", "// not a doc comment", "public final class C {}", "public extension D {}",
            "package func e() {}",
        ]
        let found = Self.declarations(in: lines, file: "x", access: "public")
        #expect(found.map(\.line) == [3, 4, 6])
        #expect(found.map(\.documented) == [true, false, false])
        #expect(Self.declarations(in: lines, file: "x", access: "package").map(\.line) == [8])
    }

    /// The CLI is a client of the public API: no `package` type of the library, and no `package` member
    /// written as `Owner.member`, appears in the code of `Sources/sluice` (string literals and comments
    /// left out).
    @Test func theCLIUsesNoPackageDeclaration() throws {
        let symbols = try Self.sources("Sources/Sluice").flatMap { Self.packageSymbols(in: $0.1) }
        #expect(symbols.contains("RawBuffer") && symbols.contains("SluiceError.invalid"), "the scan found the package declarations")
        var uses: [String] = []
        for (file, lines) in try Self.sources("Sources/sluice") {
            for (index, line) in Self.code(of: lines).enumerated() {
                for symbol in symbols where line.range(of: "\\b\(symbol.replacingOccurrences(of: ".", with: "\\."))\\b", options: .regularExpression) != nil {
                    uses.append("\(file):\(index + 1): \(symbol)")
                }
            }
        }
        #expect(uses.isEmpty, "the CLI uses package declarations:\n\(uses.joined(separator: "\n"))")
    }

    /// The scan of package symbols and of code: a type by its name, a member as `Owner.member`; text in
    /// strings and comments is not code.
    @Test func thePackageScanSeesTypesAndMembers() {
        let library = ["package enum Tool {", "    package static func run() {}", "}", "extension Box {", "    package var size: Int { 0 }", "}"]
        #expect(Set(Self.packageSymbols(in: library)) == ["Tool", "Tool.run", "Box.size"])
        let cli = ["let a = \"Tool\" // Tool", "\"\"\"", "Tool.run", "\"\"\"", "Tool.run()"]
        #expect(Self.code(of: cli).map { $0.trimmingCharacters(in: .whitespaces) } == ["let a =", "", "", "", "Tool.run()"])
    }

    /// The `package` declarations of `lines`: types by name, members as `Owner.member` (the owner being
    /// the nearest type or extension opened above at the left margin).
    static func packageSymbols(in lines: [String]) -> [String] {
        let owner = try! NSRegularExpression(pattern: "^(?:[a-z]+\\s+)*(?:enum|struct|class|extension|protocol|actor)\\s+([A-Za-z_][A-Za-z0-9_]*)")
        let declaration = try! NSRegularExpression(pattern: "^(\\s*)package\\s+(?:(?:final|static|private\\(set\\))\\s+)*(func|var|let|class|enum|struct|typealias)\\s+([A-Za-z_][A-Za-z0-9_]*)")
        func group(_ match: NSTextCheckingResult, _ index: Int, _ line: String) -> String {
            Range(match.range(at: index), in: line).map { String(line[$0]) } ?? ""
        }
        var current = ""
        var found: [String] = []
        for line in lines {
            let range = NSRange(line.startIndex..., in: line)
            if let match = owner.firstMatch(in: line, range: range) { current = group(match, 1, line) }
            guard let match = declaration.firstMatch(in: line, range: range) else { continue }
            let name = group(match, 3, line)
            if group(match, 1, line).isEmpty {
                found.append(name)
                if ["enum", "struct", "class"].contains(group(match, 2, line)) { current = name }
            } else {
                found.append("\(current).\(name)")
            }
        }
        return found
    }

    /// `lines` with string literals (one-line and multi-line) and `//` comments blanked out.
    static func code(of lines: [String]) -> [String] {
        var inLiteral = false
        return lines.map { line in
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("\"\"\"") || line.hasSuffix("\"\"\"") {
                let opens = line.components(separatedBy: "\"\"\"").count - 1
                if opens % 2 == 1 { inLiteral.toggle() }
                return ""
            }
            if inLiteral { return "" }
            var text = line.replacingOccurrences(of: "\"(?:[^\"\\\\]|\\\\.)*\"", with: "", options: .regularExpression)
            if let comment = text.range(of: "//") { text = String(text[..<comment.lowerBound]) }
            return text
        }
    }
}
