"""Login and logout routes."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from webapp.auth import authenticate

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.args.get("next") or request.form.get("next")
    if request.method == "GET":
        return render_template("login.html", next=next_url)
    user = authenticate(request.form["email"], request.form["password"])
    if user is None:
        return render_template("login.html", error="Wrong e-mail or password", next=next_url), 401
    session.clear()
    session["user_id"] = user.id
    return redirect(next_url or url_for("dashboard.index"))


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
