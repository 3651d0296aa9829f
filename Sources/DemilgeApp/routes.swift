import Vapor

func routes(_ app: Application) throws {
    try app.register(collection: LanguageController())
    try app.register(collection: HomeController())
    try app.register(collection: TerritoryController())
    try app.register(collection: OrganisationController())
    try app.register(collection: ProgrammeController())
    try app.register(collection: ProblemController())
    try app.register(collection: AssessmentController())
    try app.register(collection: CommissionController())
    try app.register(collection: InitiativeGroupController())
    try app.register(collection: RoundResultsController())
    try app.register(collection: BudgetRoundController())
    try app.register(collection: PaperBallotController())
    try app.register(collection: GrantCallController())
    try app.register(collection: GrantApplicationController())
    try app.register(collection: GrantReviewController())
    try app.register(collection: GrantDeliveryController())
    try app.register(collection: GrantOpenDataController())
    try app.register(collection: SearchController())
    try app.register(collection: AccountController())
    try app.register(collection: AdminController())
}
