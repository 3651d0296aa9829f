@testable import DemilgeApp
import DemilgeCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite("JSON API and its OpenAPI document")
struct APITests {
    /// Checks a JSON value against an OpenAPI schema: $ref, object with required properties, array, string (with
    /// pattern and date format), integer. Returns the problems found, with their JSON path.
    static func problems(_ value: Any, _ schema: [String: Any], _ components: [String: Any], path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last!)
            guard let resolved = components[name] as? [String: Any] else { return ["\(path): unknown \(ref)"] }
            return problems(value, resolved, components, path: path)
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return ["\(path): not an object"] }
            var found = ((schema["required"] as? [String]) ?? []).filter { object[$0] == nil }.map { "\(path).\($0): missing" }
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            for (key, child) in object {
                guard let childSchema = properties[key] as? [String: Any] else { found.append("\(path).\(key): not in the document"); continue }
                found += problems(child, childSchema, components, path: "\(path).\(key)")
            }
            return found
        case "array":
            guard let array = value as? [Any] else { return ["\(path): not an array"] }
            return array.enumerated().flatMap { problems($0.element, schema["items"] as! [String: Any], components, path: "\(path)[\($0.offset)]") }
        case "string":
            guard let string = value as? String else { return ["\(path): not a string"] }
            if let pattern = schema["pattern"] as? String, string.range(of: pattern, options: .regularExpression) == nil { return ["\(path): \(string) !~ \(pattern)"] }
            if schema["format"] as? String == "date", Day(string) == nil { return ["\(path): \(string) is not a date"] }
            return []
        case "integer":
            guard type(of: value) != Bool.self, let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded() else { return ["\(path): not an integer"] }
            return []
        default:
            return ["\(path): schema without a type"]
        }
    }

    static func json(_ response: TestingHTTPResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body.string.utf8))
    }

    @Test("every documented endpoint answers 200 with a body that matches its documented schema")
    func everyEndpoint() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            let document = try #require(try Self.json(try await visitor.get("/api/openapi.json")) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let components = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths.count == 12)
            #expect(Self.problems(["code": "KG", "kind": 3, "extra": true], ["$ref": "#/components/schemas/Territory"], components).count == 3,
                    "the check itself catches a missing name, a wrong type and an undocumented property")
            let firstProblem = try #require(try await Problem.query(on: app.db).filter(\.$hidden == false).first())
            let manasAta = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
            let real = ["/api/v1/problems/{id}": firstProblem.id!.uuidString.lowercased(), "/api/v1/grants/{id}": manasAta.id!.uuidString.lowercased()]
            for (template, item) in paths {
                let operation = try #require((item as? [String: Any])?["get"] as? [String: Any])
                var path = template
                for parameter in (operation["parameters"] as? [[String: Any]]) ?? [] where parameter["in"] as? String == "path" {
                    let value = real[template] ?? (parameter["example"] as? String ?? "")
                    path = path.replacingOccurrences(of: "{\(parameter["name"] as! String)}", with: value)
                }
                let response = try await visitor.get(path)
                #expect(response.status == .ok, "\(path): \(response.status)")
                #expect(response.headers.contentType == .json, "\(path)")
                let schema = try #require(((((operation["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any])
                let found = Self.problems(try Self.json(response), schema, components)
                #expect(found.isEmpty, "\(path): \(found.prefix(5))")
            }
        }
    }

    @Test("lists are paged, a filter narrows them, money is exact, and bad requests are refused")
    func paging() async throws {
        try await withDemilge { app in
            let visitor = Browser(app)
            let page = try #require(try Self.json(try await visitor.get("/api/v1/territories?per_page=2&page=2")) as? [String: Any])
            let total = try await Territory.query(on: app.db).count()
            #expect((page["items"] as? [Any])?.count == 2 && page["total"] as? Int == total && page["page"] as? Int == 2)
            let beyond = try #require(try Self.json(try await visitor.get("/api/v1/territories?page=1000")) as? [String: Any])
            #expect((beyond["items"] as? [Any])?.isEmpty == true)
            #expect(try await visitor.get("/api/v1/territories?per_page=500").status == .badRequest)
            #expect(try await visitor.get("/api/v1/problems/\(UUID().uuidString)").status == .notFound)
            let osh = try #require(try Self.json(try await visitor.get("/api/v1/problems?territory=KG-GO&per_page=100")) as? [String: Any])
            let items = try #require(osh["items"] as? [[String: Any]])
            #expect(!items.isEmpty && items.allSatisfy { ($0["territory_code"] as? String)?.hasPrefix("KG-GO") == true })
            let territoriesCSV = try CSV.parse(try await visitor.get("/api/v1/territories.csv").body.string)
            #expect(territoriesCSV.count == total + 1, "every page, one file")
            #expect(territoriesCSV.first?.fields.contains("name.ky") == true)
            let eventsCSV = try await visitor.get("/api/v1/events.csv?kind=round_table").body.string
            #expect(eventsCSV.contains("Тегерек стол") && !eventsCSV.contains("Жазы"), "filters carry over")
            let manasAta = try await GrantsTests.application(app, titled: GrantsDemo.manasAtaTitle)
            let grant = try await visitor.get("/api/v1/grants/\(manasAta.id!.uuidString.lowercased())").body.string
            #expect(grant.contains(#"{"paid_som":"1450000.00","planned_som":"1450000.00","source":"grant","spent_som":"1448500.00"}"#))
        }
    }
}
