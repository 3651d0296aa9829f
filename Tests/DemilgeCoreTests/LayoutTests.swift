import Foundation
import Testing

/// The layout rules of docs/ARCHITECTURE.md that a reader cannot keep by eye: a capability's folder stands alone,
/// controllers stay small, one model per file, no silent fallbacks when reading what is stored.
@Suite("Source layout")
struct LayoutTests {
    static var app: URL { TrapPatternTests.sources.appendingPathComponent("DemilgeApp") }

    static func swiftFiles(under folder: URL) -> [URL] {
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    static func declared(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("no file under Features/X names a controller of Features/Y")
    func capabilitiesStandAlone() throws {
        let features = Self.app.appendingPathComponent("Features")
        let folders = try FileManager.default.contentsOfDirectory(at: features, includingPropertiesForKeys: nil).filter(\.hasDirectoryPath)
        #expect(folders.count > 10)
        var controllers: [String: String] = [:]  // type → capability
        var texts: [(capability: String, file: String, code: String)] = []
        for folder in folders {
            for file in Self.swiftFiles(under: folder) {
                let code = TrapPatternTests.code(try String(contentsOf: file, encoding: .utf8))
                for name in Self.declared(#"^\s*(?:struct|final class|class|enum) (\w+Controller)\b"#, in: code) { controllers[name] = folder.lastPathComponent }
                texts.append((folder.lastPathComponent, file.lastPathComponent, code))
            }
        }
        #expect(controllers.count > 20, "controllers found: \(controllers.count)")
        var reaches: [String] = []
        for text in texts {
            for (controller, owner) in controllers where owner != text.capability && text.code.range(of: #"\b\#(controller)\b"#, options: .regularExpression) != nil {
                reaches.append("Features/\(text.capability)/\(text.file) names \(owner)'s \(controller)")
            }
        }
        #expect(reaches.isEmpty, "\(reaches.joined(separator: "\n"))")
    }

    /// A controller parses, authorizes, builds a page or runs a command, and renders or redirects; page values and
    /// forms live beside it. Past this many lines it is doing a page's or a form's work.
    static let controllerLines = 210

    @Test("no controller is longer than about 200 lines")
    func controllersStaySmall() throws {
        let files = Self.swiftFiles(under: Self.app.appendingPathComponent("Features")).filter { $0.lastPathComponent.hasSuffix("Controller.swift") }
        #expect(files.count > 20)
        var long: [String] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count
            if lines > Self.controllerLines { long.append("\(file.lastPathComponent): \(lines) lines") }
        }
        #expect(long.isEmpty, "\(long.joined(separator: "\n"))")
    }

    @Test("one model type per file under Database/Models, named after it")
    func oneModelPerFile() throws {
        let files = Self.swiftFiles(under: Self.app.appendingPathComponent("Database/Models"))
        #expect(files.count > 40)
        for file in files {
            let models = Self.declared(#"^(?:final class|class) (\w+): Model\b"#, in: try String(contentsOf: file, encoding: .utf8))
            #expect(models.count <= 1, "\(file.lastPathComponent) declares \(models)")
            if let model = models.first { #expect(file.deletingPathExtension().lastPathComponent == model) }
        }
    }

    @Test("stored structured values are read strictly: no JSON decoded with a fallback in the app")
    func noLenientJSON() throws {
        for file in Self.swiftFiles(under: Self.app) {
            let code = TrapPatternTests.code(try String(contentsOf: file, encoding: .utf8))
            #expect(code.range(of: #"try\?\s*JSONDecoder\(\)\.decode[^\n]*\?\?"#, options: .regularExpression) == nil, "\(file.lastPathComponent)")
        }
    }
}
