import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Delivers the outbox while the server runs: every `DEMILGE_OUTBOX_INTERVAL_MS` (2,000 unless set) it sends what
/// is due. The next round starts only when this one has finished, and every instance may run one.
struct OutboxWorker: LifecycleHandler {
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    static func interval() -> TimeAmount {
        .milliseconds(Int64(Environment.get("DEMILGE_OUTBOX_INTERVAL_MS").flatMap { Int($0) }.map { min(max($0, 50), 60_000) } ?? 2_000))
    }

    func didBoot(_ app: Application) throws {
        let loop = app.eventLoopGroup.next()
        let repeated = loop.scheduleRepeatedAsyncTask(initialDelay: .milliseconds(200), delay: Self.interval()) { _ in
            loop.makeFutureWithTask {
                do {
                    // Reset links asked for and notifications due by e-mail become messages first (a bounded number of
                    // batches per tick).
                    try await ResetRequests.send(app)
                    var batches = 0
                    while batches < 20, try await NotificationMailer.mailDue(app) > 0 { batches += 1 }
                    // Until nothing due is left, so a backlog drains without waiting a tick per batch.
                    while try await Outbox.deliverDue(app) > 0 {}
                    if Int.random(in: 0..<1_000) == 0 { try await Outbox.forgetSent(on: app.db) }
                } catch {
                    app.logger.warning("outbox delivery paused: \(error)")
                }
            }
        }
        task.withLockedValue { $0 = repeated }
    }

    func shutdown(_ app: Application) {
        task.withLockedValue { $0?.cancel(); $0 = nil }
    }
}
