import DemilgeCore
import Vapor

/// One choice of a select list or a group of boxes, ready for a template.
struct Option: Encodable, Equatable { let value: String; let label: String; let selected: Bool }
