import DemilgeCore
import Testing

@Suite("Search keys and highlighting")
struct SearchKeysTests {
    static func matches(_ query: String, _ text: String, fold: Bool = false) -> Bool {
        let document = SearchKeys.keys(ofText: text, fold: fold)
        return KyrgyzStemmer.words(query).allSatisfy { !SearchKeys.keys(of: $0, fold: fold).isDisjoint(with: document) }
    }

    @Test("Kyrgyz inflections, Russian endings and English plurals are found; unrelated words are not")
    func matching() {
        #expect(Self.matches("айыл", "Айылдарынан келген жаштар"))
        #expect(Self.matches("көчө суу", "Көчөлөрүбүздө суусу жок"))
        #expect(Self.matches("вода", "Нет питьевой воды"))
        #expect(Self.matches("road", "Roads of Osh"))
        #expect(!Self.matches("мектеп", "Көчөлөрүбүздө суусу жок"))
        #expect(!Self.matches("кочо", "Көчөлөрүбүздө"), "without folding ө and о differ")
        #expect(Self.matches("кочолор", "Көчөлөрүбүздө", fold: true), "folding for Russian keyboards")
        #expect(SearchKeys.column(["б", "а"]) == " а б ")
    }

    @Test("matched words are marked in place, the rest kept exactly")
    func highlighting() {
        let query = [SearchKeys.keys(of: "суу")]
        let highlight = Highlight("Суусу жок, суу!", query: query)
        #expect(highlight.runs == [.init(text: "Суусу", marked: true), .init(text: " жок, ", marked: false), .init(text: "суу", marked: true), .init(text: "!", marked: false)])
        let long = String(repeating: "бир эки үч ", count: 40) + "суусу жок"
        let snippet = Highlight.snippet(long, query: query)
        #expect(snippet.matched && snippet.runs.first?.text.hasPrefix("…") == true)
    }
}
