import DemilgeCore
import Testing

@Suite("Kyrgyz stemmer on generated noun forms")
struct KyrgyzNounFormsTests {
    /// A form is recalled when it gets the key of its dictionary form; the dictionary form itself counts too.
    static func recall(lexicon: Set<String>?) -> (matched: Int, total: Int, misses: [String]) {
        var matched = 0, total = 0, misses: [String] = []
        for (lemma, forms) in KyrgyzNounForms.paradigms {
            let key = KyrgyzStemmer.stem(lemma, lexicon: lexicon)
            for form in forms {
                total += 1
                let got = KyrgyzStemmer.stem(form, lexicon: lexicon)
                if got == key { matched += 1 } else { misses.append("\(form)→\(got) ≠ \(lemma)→\(key)") }
            }
        }
        return (matched, total, misses)
    }

    static func noun(_ lemma: String) -> KyrgyzNoun {
        KyrgyzNounForms.nouns.first { $0.lemma == lemma } ?? KyrgyzNoun(lemma)
    }

    @Test("the generator agrees with the glossary's and the issue's examples")
    func generator() {
        let expected: [String: [String]] = [
            "айыл": ["айылдар", "айылдын", "айылга", "айылы", "айылына", "айылдарынан", "айылдагы", "айылындагы"],
            "үй": ["үйлөр", "үйдүн", "үйгө", "үйүнө", "үйүмдөн"],
            "бала": ["балдар", "баласынан"],
            "тоо": ["тоолор", "тооңор"],
            "суу": ["суум", "суусу"],
            "облус": ["облусундагы"],
            "мектеп": ["мектеби", "мектептерибизде", "мектебибиз"],
            "аймак": ["аймагы", "аймагында"],
            "кой": ["кою", "коюна", "койлор"],
            "мурун": ["мурду", "мурундар"],
            "орун": ["ордуна"],
            "илим": ["илимдер"],
            "кызматчы": ["кызматчылары"],
            "көчө": ["көчөлөрүбүздө"],
        ]
        for (lemma, forms) in expected {
            let generated = Set(KyrgyzDeclension.forms(of: Self.noun(lemma)))
            for form in forms { #expect(generated.contains(form), "\(lemma): \(form)") }
        }
    }

    @Test("every form of the domain nouns, the dictionary form included, gets the noun's key: at least 97 %")
    func recallOnGeneratedForms() {
        let full = Self.recall(lexicon: nil)
        let rules = Self.recall(lexicon: [])
        let percent = { (matched: Int, total: Int) in Double(matched * 1000 / total) / 10 }
        print("Kyrgyz stemmer on \(full.total) forms of \(KyrgyzNounForms.paradigms.count) nouns: recall \(percent(full.matched, full.total)) % "
            + "with the lexicon, \(percent(rules.matched, rules.total)) % by the rules alone; "
            + "misses: \(full.misses.joined(separator: ", ")); rule misses: \(rules.misses.prefix(50).joined(separator: ", "))")
        #expect(KyrgyzNounForms.paradigms.count >= 100 && full.total >= 2_500)
        #expect(full.matched * 100 >= full.total * 97, "\(full.misses.prefix(50))")
        #expect(rules.matched * 100 >= rules.total * 97, "\(rules.misses.prefix(50))")
    }

    /// A form both nouns have (бал and бала both give балдар) is left out: only the context can tell.
    @Test("near-homographs keep different keys, and the forms of one do not get the key of the other")
    func nearHomographs() {
        for (first, second) in KyrgyzNounForms.nearHomographs {
            let firstKey = KyrgyzStemmer.stem(first), secondKey = KyrgyzStemmer.stem(second)
            #expect(firstKey != secondKey, "\(first) and \(second) both give \(firstKey)")
            let firstForms = Set(KyrgyzDeclension.forms(of: Self.noun(first)))
            let secondForms = Set(KyrgyzDeclension.forms(of: Self.noun(second)))
            for form in firstForms.subtracting(secondForms) where KyrgyzStemmer.stem(form) == secondKey {
                Issue.record("\(form) (a form of \(first)) gets the key of \(second)")
            }
            for form in secondForms.subtracting(firstForms) where KyrgyzStemmer.stem(form) == firstKey {
                Issue.record("\(form) (a form of \(second)) gets the key of \(first)")
            }
        }
    }
}
