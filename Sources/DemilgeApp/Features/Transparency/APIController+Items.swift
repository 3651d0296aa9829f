import DemilgeCore
import Fluent
import Vapor

/// What the JSON API answers with: one item type per kind of record, amounts as plain decimal text.
extension APIController {
    struct TerritoryItem: Encodable { let code: String, kind: String, name: LocalizedText, parentCode: String? }
    struct OrganisationItem: Encodable { let slug: String, kind: String, legalForm: String?, name: LocalizedText, territoryCode: String? }
    struct Budget: Encodable { let amount: String, currency: String }
    struct ProgrammeItem: Encodable {
        let slug: String, name: LocalizedText, summary: LocalizedText, donorSlug: String?, implementerSlug: String?
        let startMonth: String?, endMonth: String?, budget: Budget?
    }
    struct ProblemItem: Encodable { let id: String, title: String, description: String, category: String, status: String, territoryCode: String, supporters: Int, createdAt: String }
    struct RoundItem: Encodable { let id: String, title: String, territoryCode: String, envelopeSom: String, status: String, ballotType: String, rule: String, opensOn: String, closesOn: String }
    struct CallItem: Encodable {
        let id: String, programmeSlug: String, title: String, status: String, budgetSom: String, minGrantSom: String, maxGrantSom: String
        let cofundingPercent: Int, deadline: String
    }
    struct MoneyRow: Encodable { let source: String, plannedSom: String, paidSom: String, spentSom: String }
    struct GrantItem: Encodable {
        let id: String, callId: String, title: String, organisationSlug: String, territoryCode: String, status: String, grantSom: String, totalSom: String
        let money: [MoneyRow]?
    }

    struct EventItem: Encodable {
        let id: String, kind: String, title: String, heldOn: String, hostCode: String, invitedCodes: [String], programmeSlug: String?
        let participants: [String: Int], participantsNote: String
    }
    struct PracticeItem: Encodable {
        let id: String, title: String, theme: String, territoryCode: String, grantId: String?, grantSom: String, localBudgetSom: String
        let communitySom: String, otherSom: String, contact: String, publishedOn: String
    }
}
