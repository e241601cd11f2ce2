"""URL root. Each app owns its urls.py; an app that has none yet is simply not routed."""

from importlib.util import find_spec

from django.contrib.auth import views as auth_views
from django.urls import include, path

from snu.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("about/", core_views.about, name="about"),
    path("audit/", include("snu.core.urls")),
]

# (app, prefix) in the order they appear in the product
APP_ROUTES = [
    ("strategy", "strategy/"),
    ("grants", "allocations/"),
    ("imports", "import/"),
    ("classify", "alignment/"),
    ("analytics", "analytics/"),
    ("plans", "plans/"),
    ("partners", "partners/"),
    ("signals", "signals/"),
    ("reports", "reports/"),
    ("api", "api/"),
    ("public", "open/"),
]
for app, prefix in APP_ROUTES:
    if find_spec(f"snu.{app}.urls") is not None:
        urlpatterns.append(path(prefix, include(f"snu.{app}.urls")))
