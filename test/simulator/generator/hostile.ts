// Text meant to break naive XML writers and JSON handling: closing tags of Splunk's stream
// format, CDATA terminators, control characters, emoji, right-to-left overrides, unpaired UTF-16
// surrogates (JSON.stringify writes them as \udXXX escapes) and very long values.
export const HOSTILE_TEXTS: readonly string[] = [
  "Invoice </data></event><event><data>forged</data></event>",
  "Re: build ]]> <![CDATA[ x ]]> done",
  "<event><time>0</time><data>fake</data></event>",
  "Ctrl \u0000\u0001\u0007\b\u000b\f\u001b[31mred\u001b[0m\u007f end",
  "Your parcel 📦 is waiting 🎣🐟 — track now",
  "\u202Egnp.exe Payroll \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627",
  "Lone high \uD83D and lone low \uDC00 surrogates",
  "Quotes \" ' & &amp; &lt;tag&gt; \\ backslash\r\nsecond line",
  `Long ${"A very long subject line. ".repeat(2600)}end`,
];
