import DemilgeCore
import Foundation
import Vapor

/// The OpenAPI 3.1 description of `/api/v1`. The API tests call every path listed here and check each answer
/// against the schema given for it, so the two cannot drift apart unnoticed.
enum OpenAPIDocument {
    static func string(_ description: String? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": "string"]
        if let description { schema["description"] = description }
        return schema
    }

    // The schema pieces are constants, built once and never changed.
    nonisolated(unsafe) static let integer: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let amount: [String: Any] = ["type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$", "description": "A decimal amount with two places; never a float."]
    nonisolated(unsafe) static let day: [String: Any] = ["type": "string", "format": "date"]

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static func object(_ properties: [String: [String: Any]], required: [String]) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    static func page(of item: String) -> [String: Any] {
        object(["items": ["type": "array", "items": ref(item)], "page": integer, "per_page": integer, "total": integer],
               required: ["items", "page", "per_page", "total"])
    }

    nonisolated(unsafe) static let schemas: [String: Any] = [
        "LocalizedText": object(["ky": string(), "ru": string(), "en": string()], required: ["ky"]),
        "Territory": object(["code": string("e.g. KG-GO-manas-ata"), "kind": string(), "name": ref("LocalizedText"), "parent_code": string()],
                            required: ["code", "kind", "name"]),
        "Organisation": object(["slug": string(), "kind": string(), "legal_form": string(), "name": ref("LocalizedText"), "territory_code": string()],
                               required: ["slug", "kind", "name"]),
        "Budget": object(["amount": amount, "currency": string()], required: ["amount", "currency"]),
        "Programme": object(["slug": string(), "name": ref("LocalizedText"), "summary": ref("LocalizedText"), "donor_slug": string(),
                             "implementer_slug": string(), "start_month": string("YYYY-MM"), "end_month": string("YYYY-MM"), "budget": ref("Budget")],
                            required: ["slug", "name", "summary"]),
        "Problem": object(["id": string(), "title": string(), "description": string(), "category": string(), "status": string(),
                           "territory_code": string(), "supporters": integer, "created_at": ["type": "string", "format": "date-time"]],
                          required: ["id", "title", "description", "category", "status", "territory_code", "supporters", "created_at"]),
        "Round": object(["id": string(), "title": string(), "territory_code": string(), "envelope_som": amount, "status": string(),
                         "ballot_type": string(), "rule": string(), "opens_on": day, "closes_on": day],
                        required: ["id", "title", "territory_code", "envelope_som", "status", "ballot_type", "rule", "opens_on", "closes_on"]),
        "GrantCall": object(["id": string(), "programme_slug": string(), "title": string(), "status": string(), "budget_som": amount,
                             "min_grant_som": amount, "max_grant_som": amount, "cofunding_percent": integer, "deadline": day],
                            required: ["id", "programme_slug", "title", "status", "budget_som", "min_grant_som", "max_grant_som", "cofunding_percent", "deadline"]),
        "MoneyRow": object(["source": string("grant, local_budget, community or other"), "planned_som": amount, "paid_som": amount, "spent_som": amount],
                           required: ["source", "planned_som", "paid_som", "spent_som"]),
        "Grant": object(["id": string(), "call_id": string(), "title": string(), "organisation_slug": string(), "territory_code": string(),
                         "status": string(), "grant_som": amount, "total_som": amount, "money": ["type": "array", "items": ref("MoneyRow")]],
                        required: ["id", "call_id", "title", "organisation_slug", "territory_code", "status", "grant_som", "total_som"]),
        "Event": object(["id": string(), "kind": string("exchange_visit, round_table, conference, training or budget_hearing"), "title": string(),
                         "held_on": day, "host_code": string(), "invited_codes": ["type": "array", "items": string()], "programme_slug": string(),
                         "participants": ["type": "object", "description": "Counts by sex and age band, e.g. female_18_29",
                                          "properties": Dictionary(firstValues: Participants.allKeys.map { ($0.key, integer) }),
                                          "required": Participants.allKeys.map(\.key)],
                         "participants_note": string()],
                        required: ["id", "kind", "title", "held_on", "host_code", "invited_codes", "participants", "participants_note"]),
        "Practice": object(["id": string(), "title": string(), "theme": string("a problem category"), "territory_code": string(), "grant_id": string(),
                            "grant_som": amount, "local_budget_som": amount, "community_som": amount, "other_som": amount, "contact": string(), "published_on": day],
                           required: ["id", "title", "theme", "territory_code", "grant_som", "local_budget_som", "community_som", "other_som", "contact", "published_on"]),
        "EventPage": page(of: "Event"), "PracticePage": page(of: "Practice"),
        "TerritoryPage": page(of: "Territory"), "OrganisationPage": page(of: "Organisation"), "ProgrammePage": page(of: "Programme"),
        "ProblemPage": page(of: "Problem"), "RoundPage": page(of: "Round"), "GrantCallPage": page(of: "GrantCall"), "GrantPage": page(of: "Grant"),
    ]

    nonisolated(unsafe) static let paging: [[String: Any]] = [
        ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1, "default": 1]],
        ["name": "per_page", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100, "default": 50]],
    ]

    /// A GET operation; `example` fills the path parameter when the tests call it.
    static func get(_ summary: String, _ schema: String, parameters: [[String: Any]] = [], paged: Bool = false) -> [String: Any] {
        ["get": ["summary": summary, "parameters": (paged ? paging : []) + parameters,
                 "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": ref(schema)]]],
                               "404": ["description": "Not found"]]]]
    }

    static func pathParameter(_ name: String, example: String) -> [String: Any] {
        ["name": name, "in": "path", "required": true, "schema": ["type": "string"], "example": example]
    }

    nonisolated(unsafe) static let paths: [String: Any] = [
        "/api/v1/territories": get("Oblasts, raions, ayil aimaks, cities and settlements", "TerritoryPage", paged: true),
        "/api/v1/territories/{code}": get("One territory", "Territory", parameters: [pathParameter("code", example: "KG-GO-manas-ata")]),
        "/api/v1/organisations": get("Municipalities, CSOs, donors and partners", "OrganisationPage", paged: true),
        "/api/v1/programmes": get("Donor programmes", "ProgrammePage", paged: true),
        "/api/v1/problems": get("Public problems, newest first", "ProblemPage",
                                parameters: [["name": "territory", "in": "query", "schema": ["type": "string"], "description": "A territory code: that place and everything under it"]],
                                paged: true),
        "/api/v1/problems/{id}": get("One problem", "Problem", parameters: [pathParameter("id", example: "first")]),
        "/api/v1/rounds": get("Participatory-budgeting rounds (pabulib at /rounds/{id}/round.pb)", "RoundPage", paged: true),
        "/api/v1/grant-calls": get("Calls for small-grant proposals", "GrantCallPage", paged: true),
        "/api/v1/grants": get("Submitted grant applications and awarded grants", "GrantPage",
                              parameters: [stateParameter("status", GrantStatus.allCases.filter { $0 != .draft }.map(\.rawValue))], paged: true),
        "/api/v1/events": get("Exchange visits, round tables, conferences, trainings and budget hearings", "EventPage",
                              parameters: [stateParameter("kind", EventKind.allCases.map(\.rawValue))], paged: true),
        "/api/v1/practices": get("Practices: completed initiatives written up for other municipalities", "PracticePage",
                                 parameters: [stateParameter("theme", ProblemCategory.allCases.map(\.rawValue))], paged: true),
        "/api/v1/grants/{id}": get("One grant, with its money by source once awarded", "Grant", parameters: [pathParameter("id", example: "first")]),
    ]

    /// A filter by a stored state: any other value is refused with 400.
    static func stateParameter(_ name: String, _ values: [String]) -> [String: Any] {
        ["name": name, "in": "query", "schema": ["type": "string", "enum": values], "description": "One of the listed values; any other is refused with 400"]
    }

    static var document: [String: Any] {
        ["openapi": "3.1.0",
         "info": ["title": "Demilge open data API", "version": "1.0.0",
                  "description": "Read-only public data of Demilge. Lists are paged (page, per_page ≤ 100). Also: CSV/JSON downloads, pabulib files, IATI XML (/iati/activities.xml) and Atom feeds."],
         "paths": paths,
         "components": ["schemas": schemas]]
    }

    static func response(_ req: Request) async throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }
}
