"""The contract view against the real Nova 34: several projects, one login.

The identity stub's user ``ops`` logs in to demo-project and has roles in
other-project and billing (a role Nova's policy does not know). Nova answers
400 to a token of another project on a project's URL, so every row of
other-project proves that its rescoped token reached its own URL.
"""

from __future__ import annotations

from tests.realnova import base, seed, stubs


class ContractTest(base.RealNovaTestCase):

    def test_my_projects_one_login_each_project_at_its_own_url(self):
        result = self.list("--my-projects", "-f", "json", user="ops")
        self.assertEqual(1, result.code, result)
        rows = result.json
        self.assertEqual(["Project ID", "Project Name", "Server ID", "Server Name"],
                         list(rows[0])[:4])
        by_project: dict[str, set[str]] = {}
        for row in rows:
            by_project.setdefault(row["Project ID"], set()).add(row["Server Name"])
            self.assertEqual(stubs.PROJECTS[row["Project ID"]], row["Project Name"])
        self.assertEqual({stubs.PROJECT_ID, stubs.OTHER_PROJECT_ID}, set(by_project))
        self.assertEqual({"other-01"}, by_project[stubs.OTHER_PROJECT_ID])
        self.assertTrue({"web-01", "db-01"} <= by_project[stubs.PROJECT_ID])
        starts = [row["Start Time"] for row in rows]
        self.assertEqual(sorted(starts, reverse=True), starts)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), result.stderr)
        self.assertTrue(lines[0].startswith(
            f"Could not read project billing ({stubs.BILLING_PROJECT_ID}): "), lines[0])
        self.assertIn("HTTP 403", lines[0])
        self.assertIn("os_compute_api:servers:index", lines[0])

    def test_one_other_project_and_its_failed_actions(self):
        result = self.list("--project", stubs.OTHER_PROJECT_NAME, "-f", "json", user="ops")
        self.assert_success(result)
        self.assertEqual(["Server ID", "Server Name", "Request ID", "Action", "Start Time",
                          "Updated At", "Message"], list(result.json[0]))
        self.assertEqual({seed.OTHER_01}, {row["Server ID"] for row in result.json})
        failed = self.list("--project", stubs.PROJECT_NAME, "--project", stubs.OTHER_PROJECT_ID,
                           "--failed", "-f", "json", user="ops")
        self.assert_success(failed)
        reasons = {row["Request ID"]: (row["Failed Event"], row["Reason"]) for row in failed.json}
        # A member sees the failed event, not why (tracebacks and details are for admins).
        self.assertEqual(("compute_reboot_instance", None), reasons[seed.FAILED_REQ])
        self.assertEqual({stubs.PROJECT_NAME}, {row["Project Name"] for row in failed.json})
