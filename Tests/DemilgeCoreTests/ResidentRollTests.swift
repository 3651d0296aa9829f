import DemilgeCore
import Testing

@Suite("Resident roll: ПИН form and the roll file")
struct ResidentRollTests {
    static let today = Day(year: 2026, month: 12, day: 4)!

    @Test("a ПИН in the common form gives sex and birth date; spaces and dashes between digits are dropped")
    func commonForm() throws {
        let woman = try PersonalNumber.parse("12304198700123", today: Self.today).get()
        #expect(woman.digits == "12304198700123")
        #expect(woman.implied?.sex == .female && woman.implied?.birthDate.description == "1987-04-23")
        let man = try PersonalNumber.parse("2 0101 2000 00045", today: Self.today).get()
        #expect(man.implied?.sex == .male && man.implied?.birthDate.description == "2000-01-01")
    }

    @Test("a ПИН is refused when it is not 14 digits or its date is impossible or in the future")
    func refused() {
        for text in ["1230419870012", "123041987001234", "1230419870012a", "", "١٢٣٠٤١٩٨٧٠٠١٢٣"] {
            #expect(throws: PersonalNumber.Problem.notFourteenDigits) { try PersonalNumber.parse(text, today: Self.today).get() }
        }
        for text in ["13102198700123", "12902200100123", "23111199900001", "10512202700001", "10101189900001"] {
            #expect(throws: PersonalNumber.Problem.impossibleBirthDate) { try PersonalNumber.parse(text, today: Self.today).get() }
        }
        // 29 February exists in 2000, not in 1900.
        #expect((try? PersonalNumber.parse("22902200000001", today: Self.today).get()) != nil)
    }

    @Test("a ПИН outside the common form is 14 digits with nothing implied")
    func otherForm() throws {
        let other = try PersonalNumber.parse("30000000000001", today: Self.today).get()
        #expect(other.implied == nil)
    }

    @Test("age bands follow the birthday")
    func ageBands() {
        let birth = BirthDate(year: 2008, month: 12, day: 5, today: Self.today)!
        #expect(birth.age(on: Self.today) == 17 && birth.ageBand(on: Self.today) == .under18)
        #expect(birth.ageBand(on: Day(year: 2026, month: 12, day: 5)!) == .from18to29)
        #expect(BirthDate("01.01.1960", today: Self.today)!.ageBand(on: Self.today) == .over60)
        #expect(BirthDate("31.02.1960", today: Self.today) == nil && BirthDate("1960-1-1", today: Self.today) == nil)
    }

    @Test("a good roll is read whole")
    func goodRoll() throws {
        let text = "\u{FEFF}PIN,settlement,name,birth_date,sex\n12304198700123,kg-s1,Айгүл,23.04.1987,ж\n30000000000001,kg-s2,,1950-01-02,m\n\n20101200000045,kg-s1,,,\n"
        let entries = try ResidentRoll.read(text, settlements: ["kg-s1", "kg-s2"], today: Self.today).get()
        #expect(entries.map(\.line) == [2, 3, 5])
        #expect(entries[1].birthDate?.description == "1950-01-02" && entries[1].sex == .male)
        #expect(entries[2].birthDate?.description == "2000-01-01" && entries[2].sex == .male)
    }

    @Test("every bad line is reported with its number and nothing is read")
    func badRoll() {
        let text = """
            pin,settlement,birth_date,sex
            1230419870012,kg-s1,,
            13102198700123,kg-s1,,
            12304198700123,kg-s1,,
            12304198700123,kg-s1,,
            20101200000045,kg-zz,,
            20101200000046,kg-s1,02.01.2000,
            30000000000001,kg-s1,,
            20101200000047,kg-s1,,x
            """
        guard case .failure(let refusal) = ResidentRoll.read(text, settlements: ["kg-s1"], today: Self.today) else {
            Issue.record("a bad roll was read"); return
        }
        #expect(refusal.problems == [
            .init(line: 2, problem: .pin(.notFourteenDigits)),
            .init(line: 3, problem: .pin(.impossibleBirthDate)),
            .init(line: 5, problem: .duplicate(firstLine: 4)),
            .init(line: 6, problem: .unknownSettlement("kg-zz")),
            .init(line: 7, problem: .disagreesWithPin),
            .init(line: 8, problem: .needsBirthDateAndSex),
            .init(line: 9, problem: .sex("x")),
        ])
    }

    @Test("a roll without its columns or lines is refused")
    func missingColumns() {
        guard case .failure(let refusal) = ResidentRoll.read("name,sex\nA,f\n", settlements: [], today: Self.today) else { Issue.record(); return }
        #expect(refusal.problems.map(\.problem) == [.missingColumn("pin"), .missingColumn("settlement")])
        guard case .failure(let empty) = ResidentRoll.read("pin,settlement\n", settlements: [], today: Self.today) else { Issue.record(); return }
        #expect(empty.problems.map(\.problem) == [.empty])
    }
}
