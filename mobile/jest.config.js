module.exports = {
  preset: "jest-expo",
  // @mamc/shared is a symlink to ../packages/shared: its imports resolve from this app's node_modules.
  modulePaths: ["<rootDir>/node_modules"],
  setupFilesAfterEnv: ["<rootDir>/test/setup.tsx"],
  testMatch: ["<rootDir>/test/**/*.test.ts?(x)"],
  // A cold run (no transform cache, as on CI) compiles the app on a suite's first render: on the
  // shared 2-core machines that alone passed jest's default 5 s.
  testTimeout: 30000,
  transformIgnorePatterns: [
    "node_modules/(?!((jest-)?react-native|@react-native(-community)?|expo(nent)?|@expo(nent)?/.*|@expo-google-fonts/.*|react-navigation|@react-navigation/.*|@sentry/react-native|native-base|react-native-svg|openapi-fetch))",
  ],
};
