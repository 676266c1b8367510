import assert from "node:assert/strict";
import { gameErrorCode, httpStatusFor, sqlErrorCodes } from "../functions/_shared/platform/errors.ts";

Deno.test("registered SQL codes map to the HTTP statuses of PLATFORM.md §10", () => {
  const expected: Record<string, number> = {
    PNFND: 404,
    ONBRQ: 409,
    GOVER: 409,
    BOSSA: 409,
    BOSSN: 409,
    RATEL: 429,
    ANBAD: 422,
    VRBAD: 422,
    DKINV: 422,
    TZINV: 422,
    TGBND: 409,
    LNKEX: 410,
    CVNFD: 404,
    MEMBD: 422,
    IDMIS: 409,
    ADMRQ: 403,
    DSBAD: 422,
  };
  assert.deepEqual(
    Object.fromEntries(Object.entries(sqlErrorCodes).map(([code, { status }]) => [code, status])),
    expected,
  );
  for (const [code, status] of Object.entries(expected)) assert.equal(httpStatusFor({ code }), status, code);
});

Deno.test("anything else is a real fault: 500 and no game code", () => {
  assert.equal(gameErrorCode({ code: "23505" }), undefined);
  assert.equal(gameErrorCode(new Error("boom")), undefined);
  assert.equal(gameErrorCode(null), undefined);
  assert.equal(httpStatusFor({ code: "42501" }), 500);
});
