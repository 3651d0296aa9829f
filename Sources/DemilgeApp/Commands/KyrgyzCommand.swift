import DemilgeCore
import Foundation

/// `demilge kyrgyz stem [--fold] WORD…`: the search key of each word, one per line, so the stemmer can be
/// checked from outside. Needs no database.
public enum KyrgyzCommand {
    public static let usage = "usage: demilge kyrgyz stem [--fold] WORD…"

    public static func runIfRequested(_ arguments: [String]) -> Int32? {
        guard arguments.count >= 2, arguments[1] == "kyrgyz" else { return nil }
        let rest = Array(arguments.dropFirst(2))
        guard rest.first == "stem" else {
            FileHandle.standardError.write(Data("\(usage)\n".utf8))
            return 1
        }
        let fold = rest.contains("--fold")
        let words = rest.dropFirst().filter { $0 != "--fold" }
        guard !words.isEmpty else {
            FileHandle.standardError.write(Data("demilge kyrgyz: no words given\n\(usage)\n".utf8))
            return 1
        }
        for word in words {
            let key = KyrgyzStemmer.stem(word)
            print(fold ? KyrgyzStemmer.folded(key) : key)
        }
        return 0
    }
}
