import { triageSymptoms } from '../../../../tools/healthcare/triage.js';

describe('triageSymptoms', () => {
  it.each([
    ['I have chest pain and my left arm feels heavy', 'chest pain or pressure'],
    ["there's a lot of pressure in my chest", 'chest pain or pressure'],
    ["my son can't breathe properly", 'trouble breathing'],
    ['shortness of breath when I lie down', 'trouble breathing'],
    ["I'm not able to breathe", 'trouble breathing'],
    ['her face is drooping and her speech is slurred', 'possible stroke'],
    ['my husband is unconscious', 'unconscious or unresponsive'],
    ['she had a seizure ten minutes ago', 'seizure'],
    ["the cut is bleeding and it won't stop", 'severe bleeding'],
    ['my throat is swelling after eating peanuts', 'severe allergic reaction'],
    ['I want to kill myself', 'thoughts of suicide or self-harm'],
    ['my toddler swallowed bleach', 'overdose or poisoning'],
    ['worst headache of my life, came on suddenly', 'severe head injury'],
  ])('rates "%s" an emergency (%s)', (symptoms, label) => {
    const r = triageSymptoms(symptoms);
    expect(r.urgency).toBe('emergency');
    expect(r.matched).toContain(label);
  });

  it('offers the crisis line only for self-harm', () => {
    expect(triageSymptoms("I don't want to be alive anymore").crisisLine).toBe('988');
    expect(triageSymptoms('chest pain').crisisLine).toBeNull();
  });

  it.each([
    ['fever of 103 since last night', 'high fever'],
    ['my baby has a fever', 'high fever'],
    ['it burns when I pee', 'urinary infection symptoms'],
    ['I think my wrist might be broken', 'possible broken bone or deep cut'],
    ["I can't keep anything down", 'dehydration or persistent vomiting'],
    ['my asthma is acting up and I am wheezing', 'asthma or wheezing'],
  ])('rates "%s" urgent (%s)', (symptoms, label) => {
    const r = triageSymptoms(symptoms);
    expect(r.urgency).toBe('urgent');
    expect(r.matched).toContain(label);
  });

  it.each([
    'a mild rash on my arm',
    'I need a physical for work',
    'my knee has been a bit stiff for a month',
    'no chest pain, just a cough for three days',
    "I don't have any trouble breathing, just a stuffy nose",
    'I do not have chest pain',
  ])('rates "%s" routine', (symptoms) => {
    expect(triageSymptoms(symptoms)).toEqual({ urgency: 'routine', matched: [], crisisLine: null });
  });

  it('lets an emergency sign win over a negated one and over urgent signs', () => {
    const r = triageSymptoms('no fever, but now I have chest pain and a high fever of 104');
    expect(r.urgency).toBe('emergency');
    expect(triageSymptoms('no chest pain but I can’t breathe').urgency).toBe('emergency');
  });
});
