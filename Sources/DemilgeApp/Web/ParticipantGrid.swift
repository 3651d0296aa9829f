import DemilgeCore
import Vapor

/// The table of participants by sex and age band that forms fill in (focus groups, events, beneficiaries).
enum ParticipantGrid {
    struct Cell: Encodable { let name: String; let label: String; let value: String }
    struct Row: Encodable { let label: String; let cells: [Cell] }

    /// The counts as a table to read.
    static func rows(_ counts: Participants, _ req: Request) -> [Row] {
        Sex.allCases.map { sex in
            Row(label: req.t(sex.catalogKey), cells: AgeBand.allCases.map { band in
                Cell(name: Participants.key(sex, band), label: req.t(band.catalogKey), value: String(counts[sex, band]))
            })
        }
    }

    /// The form's cells to fill in, each labelled with its sex and age band.
    static func rows(_ form: FormState, _ req: Request) -> [Row] {
        Sex.allCases.map { sex in
            Row(label: req.t(sex.catalogKey), cells: AgeBand.allCases.map { band in
                let key = Participants.key(sex, band)
                return Cell(name: key, label: "\(req.t(sex.catalogKey)), \(req.t(band.catalogKey))", value: form[key])
            })
        }
    }
}
