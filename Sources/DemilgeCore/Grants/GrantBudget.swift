import BigInt
import Foundation

extension FundingSource {
    public var isCoFunding: Bool { self != .grant }
    /// The grant first, then the co-funding: the order of a grant's money tables.
    public static let grantFirst: [FundingSource] = [.grant, .localBudget, .community, .other]
}

/// Who may apply to a call.
public enum ApplicantKind: String, CaseIterable, Codable, Sendable {
    case municipality, cso
    public var catalogKey: String { "grant.applicant.\(rawValue)" }
}

public struct BudgetLine: Equatable, Sendable {
    public let item: String
    public let source: FundingSource
    public let amountTyiyn: Int64

    public init(item: String, source: FundingSource, amountTyiyn: Int64) {
        self.item = item
        self.source = source
        self.amountTyiyn = amountTyiyn
    }

    public static func total(_ lines: [BudgetLine], from source: FundingSource? = nil) -> Int64 {
        Money.sum(lines.filter { source == nil || $0.source == source }.map(\.amountTyiyn))
    }

    public static func bySource(_ lines: [BudgetLine]) -> [FundingSource: Int64] {
        Dictionary(grouping: lines, by: \.source).mapValues { total($0) }
    }
}

/// The terms of a call an application is checked against.
public struct CallTerms: Sendable {
    public let minimumGrantTyiyn: Int64
    public let maximumGrantTyiyn: Int64
    /// The share of the whole project cost that must come from sources other than the grant, in percent.
    public let coFundingPercent: Int
    public let applicantKinds: Set<ApplicantKind>
    /// The last day (Bishkek) on which applications are accepted, `YYYY-MM-DD`.
    public let deadline: Day

    public init(minimumGrantTyiyn: Int64, maximumGrantTyiyn: Int64, coFundingPercent: Int, applicantKinds: Set<ApplicantKind>, deadline: Day) {
        self.minimumGrantTyiyn = minimumGrantTyiyn
        self.maximumGrantTyiyn = maximumGrantTyiyn
        self.coFundingPercent = coFundingPercent
        self.applicantKinds = applicantKinds
        self.deadline = deadline
    }
}

/// What an application states about its money, checked against the call before it may be submitted.
public struct ApplicationBudget: Sendable {
    public let requestedTyiyn: Int64
    public let totalTyiyn: Int64
    public let lines: [BudgetLine]

    public init(requestedTyiyn: Int64, totalTyiyn: Int64, lines: [BudgetLine]) {
        self.requestedTyiyn = requestedTyiyn
        self.totalTyiyn = totalTyiyn
        self.lines = lines
    }

    /// The co-funded share of the whole cost, exact.
    public var coFundingShare: Rational {
        let total = BudgetLine.total(lines)
        guard total > 0 else { return .zero }
        return Rational(BigInt(total) - BigInt(BudgetLine.total(lines, from: .grant)), BigInt(total))
    }
}

public enum ApplicationProblem: Equatable, Sendable {
    case noBudgetLines
    case lineNotPositive(line: Int)
    case grantLinesDoNotSum(lines: Int64, requested: Int64)
    case linesDoNotSum(lines: Int64, total: Int64)
    case overMaximum(requested: Int64, maximum: Int64)
    case belowMinimum(requested: Int64, minimum: Int64)
    case coFundingBelowShare(required: Int, actual: Rational)
    case applicantKindNotEligible(ApplicantKind)
    case territoryNotEligible
    case pastDeadline(Day)

    public var catalogKey: String {
        switch self {
        case .noBudgetLines: "grant.problem.no_lines"
        case .lineNotPositive: "grant.problem.line_not_positive"
        case .grantLinesDoNotSum: "grant.problem.grant_lines"
        case .linesDoNotSum: "grant.problem.lines_total"
        case .overMaximum: "grant.problem.over_maximum"
        case .belowMinimum: "grant.problem.below_minimum"
        case .coFundingBelowShare: "grant.problem.cofunding"
        case .applicantKindNotEligible: "grant.problem.kind"
        case .territoryNotEligible: "grant.problem.territory"
        case .pastDeadline: "grant.problem.deadline"
        }
    }
}

public enum ApplicationCheck {
    /// Every problem at once, so the applicant can fix them all in one go.
    public static func problems(_ budget: ApplicationBudget, kind: ApplicantKind, territoryEligible: Bool, terms: CallTerms,
                                today: Day) -> [ApplicationProblem] {
        var problems: [ApplicationProblem] = []
        if today > terms.deadline { problems.append(.pastDeadline(terms.deadline)) }
        if !terms.applicantKinds.contains(kind) { problems.append(.applicantKindNotEligible(kind)) }
        if !territoryEligible { problems.append(.territoryNotEligible) }
        if budget.lines.isEmpty { problems.append(.noBudgetLines) }
        for (index, line) in budget.lines.enumerated() where line.amountTyiyn <= 0 { problems.append(.lineNotPositive(line: index + 1)) }
        let grantLines = BudgetLine.total(budget.lines, from: .grant)
        if !budget.lines.isEmpty && grantLines != budget.requestedTyiyn {
            problems.append(.grantLinesDoNotSum(lines: grantLines, requested: budget.requestedTyiyn))
        }
        let allLines = BudgetLine.total(budget.lines)
        if !budget.lines.isEmpty && allLines != budget.totalTyiyn { problems.append(.linesDoNotSum(lines: allLines, total: budget.totalTyiyn)) }
        if budget.requestedTyiyn > terms.maximumGrantTyiyn { problems.append(.overMaximum(requested: budget.requestedTyiyn, maximum: terms.maximumGrantTyiyn)) }
        if budget.requestedTyiyn < terms.minimumGrantTyiyn { problems.append(.belowMinimum(requested: budget.requestedTyiyn, minimum: terms.minimumGrantTyiyn)) }
        if !budget.lines.isEmpty && budget.coFundingShare < Rational(terms.coFundingPercent) / Rational(100) {
            problems.append(.coFundingBelowShare(required: terms.coFundingPercent, actual: budget.coFundingShare))
        }
        return problems
    }
}

/// A contract's tranche schedule and the money paid against it.
public struct Tranche: Equatable, Sendable {
    public let number: Int
    public let amountTyiyn: Int64
    public let paidTyiyn: Int64

    public init(number: Int, amountTyiyn: Int64, paidTyiyn: Int64) {
        self.number = number
        self.amountTyiyn = amountTyiyn
        self.paidTyiyn = paidTyiyn
    }

    public var remainingTyiyn: Int64 { amountTyiyn.saturatingSubtracting(paidTyiyn) }
}

public enum ContractProblem: Equatable, Sendable {
    case amountAboveAward(amount: Int64, awarded: Int64)
    case tranchesDoNotSum(tranches: Int64, amount: Int64)
    case overTranche(remaining: Int64)
    case earlierTrancheUnpaid(number: Int)
    case notPositive

    public var catalogKey: String {
        switch self {
        case .amountAboveAward: "grant.problem.contract_above_award"
        case .tranchesDoNotSum: "grant.problem.tranches_total"
        case .overTranche: "grant.problem.over_tranche"
        case .earlierTrancheUnpaid: "grant.problem.earlier_tranche"
        case .notPositive: "grant.problem.not_positive"
        }
    }
}

public enum ContractCheck {
    public static func problems(amountTyiyn: Int64, awardedTyiyn: Int64, trancheAmounts: [Int64]) -> [ContractProblem] {
        var problems: [ContractProblem] = []
        if amountTyiyn <= 0 || trancheAmounts.contains(where: { $0 <= 0 }) { problems.append(.notPositive) }
        if amountTyiyn > awardedTyiyn { problems.append(.amountAboveAward(amount: amountTyiyn, awarded: awardedTyiyn)) }
        let sum = Money.sum(trancheAmounts)
        if sum != amountTyiyn { problems.append(.tranchesDoNotSum(tranches: sum, amount: amountTyiyn)) }
        return problems
    }

    /// A disbursement is paid against one tranche: never more than is left of it, and tranches are paid in order.
    public static func disbursement(_ amountTyiyn: Int64, to number: Int, of tranches: [Tranche]) -> ContractProblem? {
        guard amountTyiyn > 0 else { return .notPositive }
        if let unpaid = tranches.first(where: { $0.number < number && $0.remainingTyiyn > 0 }) { return .earlierTrancheUnpaid(number: unpaid.number) }
        guard let tranche = tranches.first(where: { $0.number == number }) else { return .overTranche(remaining: 0) }
        return amountTyiyn > tranche.remainingTyiyn ? .overTranche(remaining: tranche.remainingTyiyn) : nil
    }
}

/// Planned, paid and spent money of one grant, by source: what its public page shows.
public struct GrantLedger: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public let source: FundingSource
        public let planned: Int64
        public let paid: Int64
        public let spent: Int64
    }

    public let rows: [Row]

    public init(planned: [FundingSource: Int64], paid: [FundingSource: Int64], spent: [FundingSource: Int64]) {
        rows = FundingSource.grantFirst.compactMap { source in
            let row = Row(source: source, planned: planned[source] ?? 0, paid: paid[source] ?? 0, spent: spent[source] ?? 0)
            return row.planned == 0 && row.paid == 0 && row.spent == 0 ? nil : row
        }
    }

    /// Several grants' money added up by source.
    public static func sum(_ ledgers: [GrantLedger]) -> GrantLedger {
        var planned: [FundingSource: Int64] = [:], paid: [FundingSource: Int64] = [:], spent: [FundingSource: Int64] = [:]
        for row in ledgers.flatMap(\.rows) {
            planned[row.source, default: 0] = planned[row.source, default: 0].saturatingAdding(row.planned)
            paid[row.source, default: 0] = paid[row.source, default: 0].saturatingAdding(row.paid)
            spent[row.source, default: 0] = spent[row.source, default: 0].saturatingAdding(row.spent)
        }
        return GrantLedger(planned: planned, paid: paid, spent: spent)
    }

    public var total: Row {
        Row(source: .grant, planned: Money.sum(rows.map(\.planned)), paid: Money.sum(rows.map(\.paid)), spent: Money.sum(rows.map(\.spent)))
    }

    /// Non-grant сом per grant сом planned (donors' co-funding leverage), exact; nil without a grant.
    public var leverage: Rational? {
        guard let grant = rows.first(where: { $0.source == .grant }), grant.planned > 0 else { return nil }
        let other = Money.sum(rows.filter { $0.source.isCoFunding }.map(\.planned))
        return Rational(BigInt(other), BigInt(grant.planned))
    }
}
