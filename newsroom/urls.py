from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotations.views import site

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("favicon.ico", site.favicon),
    path("", include("annotations.urls")),
]

# A request over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before any view: say so plainly.
handler400 = "annotations.views.site.bad_request"
