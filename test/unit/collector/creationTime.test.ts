// CreationTime and RecordType as the records carry them, field by field: every bound of the
// fast path for the API's own form and of the general form, with the epoch seconds written out.
import { strict as assert } from "node:assert";
import { parseCreationTime } from "../../../src/collector/mapper";
import { recordTypeNumber, sourcetypeFor } from "../../../src/collector/sourcetype";

describe("collector/mapper: CreationTime, bound by bound", () => {
  it("reads the API's form, with T or a space, at every field's limits", () => {
    const cases: [string, number][] = [
      ["2022-07-08T09:10:19", 1657271419],
      ["2022-07-08 09:10:19", 1657271419],
      ["2022-01-01T00:00:00", 1640995200],
      ["2022-12-31T23:59:59", 1672531199],
      ["2022-06-30T23:59:60", 1656633600],
    ];
    for (const [text, epoch] of cases) assert.equal(parseCreationTime(text), epoch, text);
  });

  it("refuses each field just past its limit, and a non-digit in each place", () => {
    for (const text of [
      "2022-00-08T09:10:19",
      "2022-13-08T09:10:19",
      "2022-07-32T09:10:19",
      "2022-07-08T24:10:19",
      "2022-07-08T09:60:19",
      "2022-07-08T09:10:61",
      "2O22-07-08T09:10:19",
      "2022-0/-08T09:10:19",
      "2022-07-0:T09:10:19",
      "2022-07-08T0:10:19",
      "2022-07-08T09:1/:19",
      "2022-07-08T09:10:1:",
      "2022-07-08X09:10:19",
      "2022/07/08T09:10:19",
      "2022-07/08T09:10:19",
      "2022-07-08T09.10:19",
      "2022-07-08T09:10.19",
      "2022-07-08T09:10",
    ]) {
      assert.equal(parseCreationTime(text), undefined, text);
    }
  });

  it("reads fractions, Z and offsets, and refuses their out-of-range fields too", () => {
    assert.equal(parseCreationTime("2022-07-08T09:10:19.5"), 1657271419.5);
    assert.equal(parseCreationTime("2022-07-08T09:10:19.1234567Z"), 1657271419.123);
    assert.equal(parseCreationTime(" 2022-07-08T09:10:19Z "), 1657271419);
    assert.equal(parseCreationTime("2022-07-08T11:10:19+02:00"), 1657271419);
    assert.equal(parseCreationTime("2022-07-08T04:40:19-0430"), 1657271419);
    for (const text of ["2022-13-08T09:10:19Z", "2022-07-32T09:10:19Z", "2022-07-08T24:10:19Z", "2022-07-08T09:60:19Z", "2022-07-08T09:10:61Z", "2022-00-08T09:10:19Z"]) {
      assert.equal(parseCreationTime(text), undefined, text);
    }
    assert.equal(parseCreationTime(1657271419), undefined);
  });
});

describe("collector/mapper: CreationTime, calendar and general form", () => {
  it("refuses days the calendar does not have instead of rolling them into the next month", () => {
    for (const text of [
      "2022-07-00T09:10:19",
      "2022-07-00T09:10:19Z",
      "2022-02-29T00:00:00",
      "2023-02-29T00:00:00Z",
      "1900-02-29T00:00:00",
      "2022-04-31T00:00:00",
      "2024-02-30T00:00:00",
      "2022-06-31T12:00:00.5",
    ]) {
      assert.equal(parseCreationTime(text), undefined, text);
    }
    const days: [string, number][] = [
      ["2024-02-29T00:00:00", 1709164800],
      ["2000-02-29T00:00:00Z", 951782400],
      ["2023-02-28T00:00:00", 1677542400],
      ["2023-03-29T00:00:00", 1680048000],
      ["2023-01-31T00:00:00", 1675123200],
      ["2023-12-31T00:00:00Z", 1703980800],
      ["2023-04-30T00:00:00", 1682812800],
      ["2023-07-01T00:00:00", 1688169600],
    ];
    for (const [text, epoch] of days) assert.equal(parseCreationTime(text), epoch, text);
  });

  it("refuses years below 100, which Date.UTC would read as 19xx", () => {
    assert.equal(parseCreationTime("0099-12-31T23:59:59"), undefined);
    assert.equal(parseCreationTime("0099-12-31T23:59:59Z"), undefined);
    assert.equal(parseCreationTime("0100-01-01T00:00:00"), -59011459200);
    assert.equal(parseCreationTime("0100-01-01T00:00:00Z"), -59011459200);
  });

  it("reads every field's limits in the general form (zone, fraction or spaces around) too", () => {
    const cases: [string, number][] = [
      ["2022-01-01T00:00:00Z", 1640995200],
      [" 2022-01-01 00:00:00", 1640995200],
      ["2022-12-31T23:59:59Z", 1672531199],
      ["2022-12-31T23:59:59.000", 1672531199],
      ["2022-06-30T23:59:60Z", 1656633600],
      ["2022-07-01T00:00:00+00:00", 1656633600],
      ["2022-07-01T00:00:00-0000", 1656633600],
    ];
    for (const [text, epoch] of cases) assert.equal(parseCreationTime(text), epoch, text);
  });

  it("refuses a wrong separator or a non-digit that only the API's form could let through", () => {
    for (const text of ["2022/07-08T09:10:19", "2022-07-08Tx9:10:19", "2022-07-08T0x:10:19", "2022-07-08T09:x0:19", "2022-07-08T09:10:x9", "x022-07-08T09:10:19", "2022-07-x8T09:10:19"]) {
      assert.equal(parseCreationTime(text), undefined, text);
    }
  });
});

describe("collector/sourcetype: RecordType as sent", () => {
  it("takes integers and numeric strings (with spaces around), and nothing else", () => {
    assert.equal(recordTypeNumber(28), 28);
    assert.equal(recordTypeNumber(" 41 "), 41);
    assert.equal(recordTypeNumber("47"), 47);
    for (const v of [28.5, "28a", "", " ", "a28", null, undefined, {}]) assert.equal(recordTypeNumber(v), undefined, JSON.stringify(v));
  });

  it("gives a numeric-string RecordType the same sourcetype, and unknown ones the add-on's", () => {
    assert.equal(sourcetypeFor("28"), "o365:defender:email");
    assert.equal(sourcetypeFor(218), "o365:defender:attacksim");
    assert.equal(sourcetypeFor(1), "o365:management:activity");
    assert.equal(sourcetypeFor("x"), "o365:management:activity");
  });
});
