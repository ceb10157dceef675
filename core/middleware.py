from django.conf import settings

# The portal runs no inline script or style, so it gets the strictest policy. The admin's
# bundled CKEditor 4 needs inline styles and eval-free scripts of its own; it gets a policy that
# still forbids other hosts, plugins and framing.
PORTAL_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin_prefix = "/" + getattr(settings, "ADMIN_URL_PATH", "admin/")
            policy = ADMIN_POLICY if request.path.startswith(admin_prefix) else PORTAL_POLICY
            response["Content-Security-Policy"] = policy
        return response
