"""What the API and the pages both call: data for one caller, as the models of ``schemas``.

Routes stay thin: they parse parameters, call a service with the caller's principal, and render
the result as JSON, CSV or a page. Access rules live in the services (``governance`` asks
``icsys.governance.visibility`` what is public), never in templates.
"""
