from rest_framework.routers import SimpleRouter

from .funding import ContributionViewSet, FunderViewSet, JointProposalViewSet, TagViewSet
from .views import ActivityViewSet, ProgressUpdateViewSet, ResourceMobilisedViewSet, WorkplanViewSet
from .workflow import AmendmentViewSet, EndorsementRoundViewSet, SignatoryViewSet

router = SimpleRouter()
router.register("workplans", WorkplanViewSet, basename="workplan")
router.register("activities", ActivityViewSet, basename="activity")
router.register("progress-updates", ProgressUpdateViewSet, basename="progressupdate")
router.register("resources-mobilised", ResourceMobilisedViewSet, basename="resourcemobilised")
router.register("contributions", ContributionViewSet, basename="contribution")
router.register("joint-proposals", JointProposalViewSet, basename="jointproposal")
router.register("funders", FunderViewSet, basename="funder")
router.register("activity-tags", TagViewSet, basename="tag")
router.register("endorsement-rounds", EndorsementRoundViewSet, basename="endorsementround")
router.register("amendments", AmendmentViewSet, basename="amendment")
router.register("signatories", SignatoryViewSet, basename="signatory")

urlpatterns = router.urls
