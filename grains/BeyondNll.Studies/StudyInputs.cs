using BeyondNll.Grains;

namespace BeyondNll.Studies;

/// <summary>Where a study's inputs are and what they hash to, measured by its host before it starts (Test: its held-out data, if any).</summary>
public sealed record StudyInputs(FileFingerprint Backbone, FileFingerprint Train, FileFingerprint Val, string Dataset, FileFingerprint? Test = null);
